docker run -d --name mongo mongo
docker run -d --name redis redis
docker run -d --name postgres -e POSTGRES_PASSWORD=motdepasse postgres
docker container ls -a
docker logs postgres
docker container ls
docker container stop $(docker container ls -aq)
# la confirmation [y/N] n'a pas reçu de réponse : rien n'est supprimé
docker system prune -a
