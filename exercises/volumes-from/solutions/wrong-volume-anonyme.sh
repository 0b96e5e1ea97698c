$ docker run --name ecrivain -v /partage debian bash -c "echo 'bonjour de la part de ecrivain' > /partage/message.txt"
$ docker run -dit --name lecteur --volumes-from ecrivain debian
4b3a29181f0e4d3c2b1a0f9e8d7c6b5a4b3a29181f0e4d3c2b1a0f9e8d7c6b5a
$ docker exec lecteur cat /partage/message.txt
bonjour de la part de ecrivain
$ docker rm ecrivain
ecrivain
$ docker volume ls
DRIVER    VOLUME NAME
local     0c5e1f7d3b2a49e8a6f1c0d9b8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9
