docker run -d --name web -p 8081:8081 nginx
docker port web
curl http://localhost:8081
