docker run -d --name web -v $(pwd):/usr/share/nginx/html -p 8282:80 nginx
docker exec web ls /usr/share/nginx/html
