docker run -d hello-world
docker run -d hello-world
docker ps -a
