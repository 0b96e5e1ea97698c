docker run --name redis1 -d redis
docker run --name redis2 -d redis
docker run --name redis3 -d redis
# refusé : le conteneur est en cours d'exécution
docker container rm redis1
docker container rm -f redis1 redis2 redis3
docker container ls
# un conteneur arrêté à nettoyer
docker run hello-world
docker container ls -a
docker container prune
<<< y
docker image rm hello-world
docker images
