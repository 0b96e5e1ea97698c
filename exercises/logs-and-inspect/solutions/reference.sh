# ping en arrière-plan (le cours utilise google.fr ; ici pas d'accès à Internet)
docker run -d --name pinger alpine ping 127.0.0.1
sleep 2
docker logs pinger
docker container top pinger
docker container inspect pinger
docker container stats --no-stream
docker system df
