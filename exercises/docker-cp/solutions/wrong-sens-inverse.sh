jean@portable:~/tp-cp$ docker run -d --name web nginx
b1c3d2a4f5e6978877665544332211ffeeddccbbaa99887766554433221100aa
jean@portable:~/tp-cp$ docker cp index.html web:/usr/share/nginx/html/index.html
Successfully copied 2.05kB to web:/usr/share/nginx/html/index.html
jean@portable:~/tp-cp$ docker cp ./default.conf web:/etc/nginx/conf.d/default.conf
lstat /home/jean/tp-cp/default.conf: no such file or directory
jean@portable:~/tp-cp$ cat default.conf
cat: default.conf: No such file or directory
