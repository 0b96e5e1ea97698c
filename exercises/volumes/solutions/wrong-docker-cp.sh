docker volume create logs
docker run -d --name web -v logs:/var/log/nginx -p 8282:80 nginx
docker cp index.html web:/usr/share/nginx/html/index.html
docker exec web ls /usr/share/nginx/html
curl http://localhost:8282
echo "<p>Mise à jour du fichier index.html</p>" >> index.html
curl http://localhost:8282
