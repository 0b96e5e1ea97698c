# cont1 démarre d'abord sur le bridge par défaut
docker run -dit --name cont1 alpine
docker network create -d bridge my_bridge
docker network ls
docker run -dit --network my_bridge --name cont2 alpine
# on connecte le conteneur existant au bridge
docker network connect my_bridge cont1
docker network inspect my_bridge
docker exec cont1 ping -c1 cont2
