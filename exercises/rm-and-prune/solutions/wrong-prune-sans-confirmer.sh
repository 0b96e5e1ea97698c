docker run --name redis1 -d redis
docker run --name redis2 -d redis
docker run --name redis3 -d redis
docker container rm redis1
docker container rm -f redis1 redis2 redis3
docker run hello-world
docker container prune
docker image rm hello-world
