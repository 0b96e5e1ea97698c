jean@portable:~$ docker run -d --name limite --memory 256m --cpus 0,5 redis
invalid argument "0,5" for "--cpus" flag: failed to parse 0,5 as a rational number
See 'docker run --help'.
jean@portable:~$ docker run -d --name limite --memory 256m redis
5c4b3a29181f0e4d3c2b1a0f9e8d7c6b5c4b3a29181f0e4d3c2b1a0f9e8d7c6b
jean@portable:~$ docker container inspect limite
