docker run -d --name web nginx
docker cp index.html web:/usr/share/nginx/
docker cp web:/etc/nginx/conf.d/default.conf .
cat default.conf
