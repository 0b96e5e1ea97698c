docker volume create logs
docker volume ls
docker run -d --name web -v logs:/var/log/nginx -v "$(pwd)":/usr/share/nginx/html -p 8282:80 nginx
docker exec web ls /usr/share/nginx/html
docker port web 80
curl http://localhost:8282
# le fichier est modifié sur l'hôte : nginx le sert tel quel, sans rien reconstruire
echo "<p>Mise à jour du fichier index.html</p>" >> index.html
curl http://localhost:8282
docker volume inspect logs
