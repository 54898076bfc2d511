using System.Text;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class ArffReaderTests
{
    private static LabeledImages Read(string text) =>
        ArffReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "test.arff");

    private const string Header = """
        % a comment
        @RELATION mnist_784

        @ATTRIBUTE pixel1 NUMERIC
        @ATTRIBUTE pixel2 numeric
        @ATTRIBUTE 'pixel3' INTEGER
        @ATTRIBUTE class {'0','1','2','3','4','5','6','7','8','9'}

        @DATA
        """;

    [Fact]
    public void Dense_rows_are_read_in_order()
    {
        var rows = Read(Header + "\n0,12,255,7\n3,0,0,'2'\n\n% trailing comment\n1.0,2,3,9\n");
        rows.Columns.Should().Be(3);
        rows.Pixels.Should().Equal(0, 12, 255, 3, 0, 0, 1, 2, 3);
        rows.Labels.Should().Equal(7, 2, 9);
    }

    [Fact]
    public void Sparse_rows_leave_omitted_values_at_zero()
    {
        var rows = Read(Header + "\n{1 40, 3 5}\n{0 9, 2 1, 3 '8'}\n");
        rows.Pixels.Should().Equal(0, 40, 0, 9, 0, 1);
        rows.Labels.Should().Equal(5, 8);
    }

    [Theory]
    [InlineData("0,1,2\n", "*test.arff*line 10*3 values, expected 4*")]
    [InlineData("0,1,256,3\n", "*line 10*pixel value '256'*")]
    [InlineData("0,1,2,x\n", "*line 10*class 'x'*")]
    [InlineData("0,1,-2,3\n", "*pixel value '-2'*")]
    public void Bad_rows_are_reported_with_the_line(string data, string message)
    {
        var read = () => Read(Header + "\n" + data);
        read.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_file_without_data_or_class_is_reported()
    {
        ((Action)(() => Read("@RELATION x\n@ATTRIBUTE a NUMERIC\n"))).Should().Throw<InvalidDataException>().WithMessage("*no @data*");
        ((Action)(() => Read("@RELATION x\n@ATTRIBUTE a NUMERIC\n@DATA\n1\n"))).Should().Throw<InvalidDataException>().WithMessage("*no nominal class*");
    }
}
