$ docker volume create --name=logs
logs
$ docker run -d -v logs:/var/log/nginx -v ${PWD}:/var/www/html -p 8282:80 nginx
0c1d2e3f4a5b
$ docker ps
