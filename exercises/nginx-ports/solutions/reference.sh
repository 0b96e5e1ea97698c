docker run -d --name web -p 8081:80 nginx
docker ps
docker port web
