docker run -d --name mongo mongo
docker run -d --name redis redis
docker run -d --name postgres postgres
docker container ls
docker logs postgres
docker container stop $(docker container ls -aq)
docker system prune -a -f
