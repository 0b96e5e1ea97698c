# Petit exercice du chapitre 2 : mongo, redis et postgres en arrière-plan
docker run -d --name mongo mongo
docker run -d --name redis redis
docker run -d --name postgres postgres

# postgres n'apparaît pas dans la liste : il s'est arrêté
docker container ls
docker container ls -a
docker logs postgres

# on supprime l'ancien conteneur arrêté (on valide avec y) et on le relance avec la variable d'environnement
docker container prune
<<< y
docker container run --name postgres -d -e POSTGRES_HOST_AUTH_METHOD=trust postgres
docker container ls

# on stoppe tout puis on fait le ménage
docker container stop $(docker container ls -aq)
docker system prune -a
<<< y
docker container ls -a
docker images
