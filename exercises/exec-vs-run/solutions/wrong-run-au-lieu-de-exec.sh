$ docker run -d --name web nginx
$ docker run -it nginx bash
root@2c666d3ae783:/# echo "Bonjour depuis docker exec" > /usr/share/nginx/html/exec.html
root@2c666d3ae783:/# exit
$ docker ps -a
