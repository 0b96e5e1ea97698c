docker run -d -P nginx
docker ps
