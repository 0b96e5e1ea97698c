docker run -d nginx
docker exec -it nginx bash
<<< echo "Bonjour depuis docker exec" > /usr/share/nginx/html/exec.html
<<< exit
