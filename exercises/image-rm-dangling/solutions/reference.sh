# Chapitre 2 : supprimer une image utilisée par un conteneur, puis l'image dangling
docker run --name redis -d redis
# refusé : un conteneur utilise l'image
docker image rm redis
# forcé : l'image perd son tag mais reste, elle devient dangling (<none>)
docker image rm -f redis
docker images
docker container ls
# le conteneur utilise toujours l'image : on le supprime, puis on supprime les images dangling
docker container rm -f redis
docker image prune
<<< y
docker images
