docker run -d --name limite -m 256m --cpu-shares 512 redis
docker ps
