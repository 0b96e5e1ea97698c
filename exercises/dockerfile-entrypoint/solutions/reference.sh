$ docker build -t bonjour .
$ docker image inspect bonjour
$ docker run --name essai1 bonjour
Bonjour le monde
$ docker run --name essai2 bonjour Docker
Bonjour Docker
