docker run -d --name mongo mongo
docker run -d --name redis redis
docker run -d --name postgres postgres
docker ps
# postgres n'est pas là, je le relance avec un mot de passe
docker run -d --name postgres -e POSTGRES_PASSWORD=secret postgres
docker ps
docker stop $(docker ps -aq)
docker system prune -a -f
