$ docker volume create --name=logs
logs
$ docker run -d -v logs:/var/log/nginx -v ${PWD}:/var/www/html -p 8282:80 nginx
0c1d2e3f4a5b
$ curl http://localhost:8282
<h1>Welcome to nginx!</h1>
$ echo "Mise à jour du fichier index.html" >> index.html
$ curl http://localhost:8282
<h1>Welcome to nginx!</h1>
