docker run --name redis1 -d redis
docker run --name redis2 -d redis
docker run --name redis3 -d redis
docker container rm redis1
docker container rm -f redis1 redis2 redis3
docker run hello-world
docker container prune
<<< y
# image prune ne supprime que les images dangling : hello-world est taguée, elle reste
docker image prune
<<< y
docker images
