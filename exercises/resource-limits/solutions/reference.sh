docker run -d --name limite --memory 256m --cpus 0.5 redis
docker container inspect limite
docker container stats --no-stream limite
