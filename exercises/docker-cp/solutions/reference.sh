# Chapitre 2 : copier des fichiers depuis ou vers un conteneur
docker run -d --name web nginx
# hôte -> conteneur : CHEMIN_SOURCE CONTENEUR:CHEMIN_DESTINATION
docker cp ./index.html web:/usr/share/nginx/html/index.html
docker exec web cat /usr/share/nginx/html/index.html
# conteneur -> hôte : CONTENEUR:CHEMIN_SOURCE CHEMIN_DESTINATION
docker cp web:/etc/nginx/conf.d/default.conf ./default.conf
ls
cat default.conf
