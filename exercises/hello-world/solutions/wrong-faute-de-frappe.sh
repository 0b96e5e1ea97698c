docker run hello-word
docker ps -a
