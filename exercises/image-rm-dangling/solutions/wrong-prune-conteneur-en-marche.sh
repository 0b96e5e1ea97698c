docker run --name redis -d redis
docker image rm redis
docker image rm -f redis
docker images
docker image prune
<<< y
docker images
