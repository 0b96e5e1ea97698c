# Exercice du chapitre 2 : redis-cli dans le conteneur redis
docker run -d --name redis redis
docker exec -it redis redis-cli
<<< set cle 42
<<< get cle
# la même chose sans session interactive (chapitre 3.5)
docker exec redis redis-cli get cle
