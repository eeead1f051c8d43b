package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class NumericExpressionProperties {

    @Property(tries = 300)
    void sumsAndProductsOfIntsMatchExactArithmetic(@ForAll int a, @ForAll int b) {
        assertThat(NumericExpression.evaluate(a + " * (" + b + ")")).isEqualTo((long) a * b);
        assertThat(NumericExpression.evaluate(a + "-(" + b + ")")).isEqualTo((long) a - b);
        assertThat(NumericExpression.evaluate("(" + a + ")+" + b)).isEqualTo((long) a + b);
    }

    @Property(tries = 300)
    void productOfLongsIsExactOrAnOverflowError(@ForAll long a, @ForAll long b) {
        String text = "(" + a + ")*(" + b + ")";
        try {
            long exact = Math.multiplyExact(a, b);
            assertThat(NumericExpression.evaluate(text)).isEqualTo(exact);
        } catch (ArithmeticException overflow) {
            assertThatThrownBy(() -> NumericExpression.evaluate(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
