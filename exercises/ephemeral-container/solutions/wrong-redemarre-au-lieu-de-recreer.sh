jean@portable:~$ docker run -it --name essai1 ubuntu bash
root@6c1d2e3f4a5b:/# echo test > /test.txt
root@6c1d2e3f4a5b:/# exit
exit
jean@portable:~$ docker diff essai1
A /test.txt
jean@portable:~$ docker stop essai1
essai1
jean@portable:~$ docker start essai1
essai1
jean@portable:~$ docker exec essai1 ls /test.txt
/test.txt
