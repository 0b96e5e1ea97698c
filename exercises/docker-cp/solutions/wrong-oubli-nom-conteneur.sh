docker run -d --name web nginx
docker cp index.html /usr/share/nginx/html/index.html
docker cp web:/etc/nginx/conf.d/default.conf ./default.conf
cat default.conf
