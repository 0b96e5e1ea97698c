docker run -dit --name cont1 alpine
docker network create -d bridge my_bridge
docker run -d --network my_bridge --name cont2 alpine
docker network connect my_bridge cont1
docker exec cont1 ping -c1 cont2
