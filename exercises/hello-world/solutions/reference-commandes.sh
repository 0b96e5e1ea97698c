# Lancer son premier conteneur, puis le relancer
docker run hello-world
docker container ls -a
docker images
docker run hello-world
docker container ls -a
