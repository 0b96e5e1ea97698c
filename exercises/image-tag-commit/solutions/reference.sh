$ docker run -it --name atelier debian
root@f461e2e7afff:/# echo "Bonjour depuis mon image" > /bonjour.txt
root@f461e2e7afff:/# exit
exit
$ docker diff atelier
A /bonjour.txt
$ docker commit atelier debian_bonjour
sha256:9ca55c5ccc54
$ docker tag debian_bonjour debian_bonjour:v1
$ docker images
REPOSITORY       TAG       IMAGE ID       CREATED         SIZE
debian_bonjour   latest    9ca55c5ccc54   5 seconds ago   117MB
debian_bonjour   v1        9ca55c5ccc54   5 seconds ago   117MB
$ docker run --rm debian_bonjour:v1 cat /bonjour.txt
Bonjour depuis mon image
