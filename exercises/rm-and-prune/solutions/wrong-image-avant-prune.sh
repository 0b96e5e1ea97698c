$ docker run --name redis1 -d redis
$ docker run --name redis2 -d redis
$ docker run --name redis3 -d redis
$ docker container rm redis1
Error response from daemon: You cannot remove a running container. Stop the container before attempting removal or force remove
$ docker container rm -f redis1 redis2 redis3
$ docker run hello-world
$ docker image rm hello-world
Error response from daemon: conflict: unable to remove repository reference "hello-world" (must force) - container 3f1c2a9b8d7e is using its referenced image d2c94e258dcb
$ docker container prune
WARNING! This will remove all stopped containers.
Are you sure you want to continue? [y/N] y
