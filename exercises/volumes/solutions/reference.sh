docker volume create logs
docker volume ls
docker run -d --name web -v logs:/var/log/nginx -v "$(pwd)":/usr/share/nginx/html -p 8282:80 nginx
docker exec web ls /usr/share/nginx/html
docker port web 80
docker volume inspect logs
