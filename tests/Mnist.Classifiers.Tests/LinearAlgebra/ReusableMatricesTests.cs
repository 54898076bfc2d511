using FluentAssertions;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Tests.LinearAlgebra;

public class ReusableMatricesTests
{
    private const int Large = 1 << 20;

    [Fact]
    public void Outside_a_scope_nothing_is_kept()
    {
        var first = ReusableMatrices.Rent(Large);
        ReusableMatrices.Return(first);
        ReusableMatrices.Rent(Large).Should().NotBeSameAs(first);
    }

    [Fact]
    public void Inside_a_scope_a_returned_array_serves_a_request_of_about_its_size()
    {
        using var scope = ReusableMatrices.Open();
        var first = ReusableMatrices.Rent(Large + 1000);
        first.Length.Should().Be(Large + 1000);
        ReusableMatrices.Return(first);

        // Larger than the array, or smaller by more than 1/16 of the request: a new one.
        ReusableMatrices.Rent(Large + 1001).Should().NotBeSameAs(first);
        ReusableMatrices.Rent(2 * Large).Should().NotBeSameAs(first);
        var taken = ReusableMatrices.Rent(Large);
        taken.Should().BeSameAs(first);

        // Taken once: the next request gets a new array.
        ReusableMatrices.Rent(Large).Should().NotBeSameAs(first);
    }

    [Fact]
    public void Small_arrays_and_closed_scopes_keep_nothing()
    {
        float[] small, large;
        using (ReusableMatrices.Open())
        {
            small = ReusableMatrices.Rent(1000);
            ReusableMatrices.Return(small);
            ReusableMatrices.Rent(1000).Should().NotBeSameAs(small);
            large = ReusableMatrices.Rent(Large);
            ReusableMatrices.Return(large);
        }

        using var next = ReusableMatrices.Open();
        ReusableMatrices.Rent(Large).Should().NotBeSameAs(large);
    }

    [Fact]
    public async Task The_scope_reaches_parallel_work_started_inside_it()
    {
        using var scope = ReusableMatrices.Open();
        var returned = await Task.Run(() =>
        {
            var array = ReusableMatrices.Rent(Large);
            ReusableMatrices.Return(array);
            return array;
        });
        float[]? fromLoop = null;
        Parallel.For(0, 1, _ => fromLoop = ReusableMatrices.Rent(Large));
        fromLoop.Should().BeSameAs(returned);
    }
}
