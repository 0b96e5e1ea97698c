$ docker network create -d bridge my_bridge
$ docker run -dit --name cont1 alpine
$ docker run -dit --network my_bridge --name cont2 alpine
$ docker exec cont1 ping -c1 cont2
ping: bad address 'cont2'
