docker run -d --name web nginx
# une commande unique, qui se termine aussitôt
docker exec web ls /usr/share/nginx/html
# un shell dans le conteneur en cours d'exécution
docker exec -it web bash
<<< echo "Bonjour depuis docker exec" > /usr/share/nginx/html/exec.html
<<< exit
docker exec web cat /usr/share/nginx/html/exec.html
docker ps -a
