docker run --name redis -d redis
docker image rm redis
docker container rm -f redis
docker image rm -f redis
docker images
docker image prune
<<< y
