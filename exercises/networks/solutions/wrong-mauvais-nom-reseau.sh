docker run -dit --name cont1 alpine
docker network create -d bridge my-bridge
docker run -dit --network my-bridge --name cont2 alpine
docker network connect my-bridge cont1
docker exec cont1 ping -c1 cont2
