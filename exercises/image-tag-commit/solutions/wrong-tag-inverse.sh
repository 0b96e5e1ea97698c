docker run -it --name atelier debian
<<< echo "Bonjour depuis mon image" > /bonjour.txt
<<< exit
docker diff atelier
docker commit atelier debian_bonjour
docker tag debian_bonjour:v1 debian_bonjour
docker run --rm debian_bonjour cat /bonjour.txt
