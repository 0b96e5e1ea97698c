$ docker run -d --name limite --memory 256 --cpus 0.5 redis
docker: Error response from daemon: Minimum memory limit allowed is 6MB.
$ docker run -d --name limite --cpus 0.5 redis
4f2a1b3c5d6e
$ docker inspect limite
