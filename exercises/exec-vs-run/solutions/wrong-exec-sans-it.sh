jean@portable:~$ docker run -d --name web nginx
a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
jean@portable:~$ docker exec web bash
jean@portable:~$ echo "Bonjour depuis docker exec" > /usr/share/nginx/html/exec.html
bash: /usr/share/nginx/html/exec.html: No such file or directory
jean@portable:~$ docker exec web cat /usr/share/nginx/html/exec.html
cat: /usr/share/nginx/html/exec.html: No such file or directory
