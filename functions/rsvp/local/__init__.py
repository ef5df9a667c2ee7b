"""Running the desk on one machine: moto stands in for AWS, the real handlers do the work."""
