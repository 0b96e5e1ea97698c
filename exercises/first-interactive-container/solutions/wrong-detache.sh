docker run alpine
# « pour qu'il continue de tourner » : -d ne suffit pas, alpine n'a aucun service à faire tourner
docker run -d alpine
docker ps
docker ps -a
