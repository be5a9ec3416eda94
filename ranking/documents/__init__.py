"""Official documents of a publication: the decision announcing the results, with its annexes,
as a Word document from a replaceable template and, where a converter is installed, as PDF."""
