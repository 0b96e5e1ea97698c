# Session copiée depuis le terminal (les lignes sans invite sont la sortie)
$ docker run hello-world

Hello from Docker!
This message shows that your installation appears to be working correctly.

$ docker container ls -a
CONTAINER ID   IMAGE         COMMAND    CREATED         STATUS                     PORTS     NAMES
3f1c2a9b8d7e   hello-world   "/hello"   5 seconds ago   Exited (0) 4 seconds ago             quirky_shannon
$ docker images
REPOSITORY    TAG       IMAGE ID       CREATED        SIZE
hello-world   latest    d2c94e258dcb   8 months ago   13.3kB
$ docker run hello-world

Hello from Docker!
$ docker container ls -a
