docker ps -a
docker images
