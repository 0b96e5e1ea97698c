docker run hello-world
# je vérifie que le conteneur est là
docker ps
