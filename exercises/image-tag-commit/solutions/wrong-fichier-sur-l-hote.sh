$ docker run -it --name atelier debian
root@f461e2e7afff:/# exit
exit
$ echo "Bonjour depuis mon image" > bonjour.txt
$ docker diff atelier
$ docker commit atelier debian_bonjour
sha256:9ca55c5ccc54
$ docker tag debian_bonjour debian_bonjour:v1
$ docker run --rm debian_bonjour:v1 cat /bonjour.txt
cat: /bonjour.txt: No such file or directory
